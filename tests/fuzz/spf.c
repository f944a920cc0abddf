/* records_spf as published in DNS: see record.inc. */
#define RECORD_T struct spf
#define RECORD_PARSE records_spf
#include "record.inc"

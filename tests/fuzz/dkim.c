/* records_dkim as published in DNS: see record.inc. */
#define RECORD_T struct dkim
#define RECORD_PARSE records_dkim
#include "record.inc"

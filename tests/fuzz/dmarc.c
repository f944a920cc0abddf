/* records_dmarc as published in DNS: see record.inc. */
#define RECORD_T struct dmarc
#define RECORD_PARSE records_dmarc
#include "record.inc"

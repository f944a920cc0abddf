/* records_sts_txt as published in DNS: see record.inc. */
#define RECORD_T struct sts_txt
#define RECORD_PARSE records_sts_txt
#include "record.inc"

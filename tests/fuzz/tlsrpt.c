/* records_tlsrpt as published in DNS: see record.inc. */
#define RECORD_T struct tlsrpt
#define RECORD_PARSE records_tlsrpt
#include "record.inc"

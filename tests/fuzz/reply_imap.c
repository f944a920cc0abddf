/* The imap reply grammar: see reply.inc. */
#define FUZZ_DIALECT dialect_imap
#include "reply.inc"

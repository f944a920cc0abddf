/* The pop3 reply grammar: see reply.inc. */
#define FUZZ_DIALECT dialect_pop3
#include "reply.inc"

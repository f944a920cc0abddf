/* The smtp reply grammar: see reply.inc. */
#define FUZZ_DIALECT dialect_smtp
#include "reply.inc"

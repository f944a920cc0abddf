# RFC 2595 4 ("the client MUST discard cached information about server capabilities") and
# RFC 2595 3.1's reasoning: plaintext right after "+OK" to STLS, in the same burst (a forged
# CAPA answer, 14 bytes), is discarded at the handshake: STARTTLS_INJECTION, and the CAPA
# over TLS reads only what came after TLS.
# split no: the case is the segmentation itself; split, the tail would reach the TLS layer.
protocol pop3
mode starttls
split no
S: +OK ready
C: CAPA
S: +OK
S: STLS
S: .
C: STLS
S: +OK Begin TLS
S: +OK
S: USER
S: .
TLS
C: CAPA
S: +OK
S: SASL PLAIN
S: .
C: QUIT
S: +OK bye
expect finding STARTTLS_INJECTION TLS_ESTABLISHED
expect no PROTOCOL_ERROR
expect stale 14
expect status crit
expect capa tls SASL

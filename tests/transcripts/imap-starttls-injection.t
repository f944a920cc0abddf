# RFC 9051 6.2.1 (after STARTTLS the client "MUST discard cached information about server
# capabilities") and RFC 2595 3.1: an untagged CAPABILITY sent in clear right after "S OK",
# in the same burst, is discarded at the handshake (STARTTLS_INJECTION, 46 bytes) and is
# never taken for the CAPABILITY reply over TLS.
# split no: the case is the segmentation itself (plaintext following the reply in one
# burst); split, the tail would reach the TLS layer of a real transport instead.
protocol imap
mode starttls
split no
S: * OK ready
C: C CAPABILITY
S: * CAPABILITY IMAP4rev1 STARTTLS
S: C OK done
C: S STARTTLS
S: S OK Begin TLS
S: * CAPABILITY IMAP4rev1 AUTH=PLAIN
S: C OK done
TLS
C: C CAPABILITY
S: * CAPABILITY IMAP4rev1 AUTH=SCRAM-SHA-256
S: C OK done
C: L LOGOUT
S: * BYE
S: L OK
expect finding STARTTLS_INJECTION TLS_ESTABLISHED
expect no PROTOCOL_ERROR
expect stale 46
expect status crit
expect capa tls AUTH=SCRAM-SHA-256

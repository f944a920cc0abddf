# RFC 9051 6.2.3 and 7.2.2 (and RFC 2595 3.2): LOGINDISABLED before TLS is the good
# practice (no plaintext passwords in clear); it is recorded and changes nothing. After TLS
# it is gone and AUTH=PLAIN appears; the run is ok.
protocol imap
mode starttls
S: * OK ready
C: C CAPABILITY
S: * CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED
S: C OK done
C: S STARTTLS
S: S OK go
TLS
C: C CAPABILITY
S: * CAPABILITY IMAP4rev1 AUTH=PLAIN
S: C OK done
C: L LOGOUT
S: * BYE
S: L OK
expect finding TLS_ESTABLISHED
expect no STARTTLS_NOT_OFFERED PROTOCOL_ERROR
expect status ok
expect capa plain LOGINDISABLED STARTTLS
expect capa tls AUTH=PLAIN IMAP4rev1

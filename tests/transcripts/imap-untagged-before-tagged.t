# RFC 9051 2.2.2 and 7: a command's result is the tagged line; any number of untagged "*"
# responses (data, OK with response codes, unrelated status) may come before it. Only the
# tagged "C OK" ends the CAPABILITY reply, and only CAPABILITY data counts as capabilities.
protocol imap
mode starttls
S: * OK imap.example.test ready
C: C CAPABILITY
S: * OK [HIGHESTMODSEQ 1] noise
S: * CAPABILITY IMAP4rev1 STARTTLS ID LOGINDISABLED
S: * 3 EXISTS
S: * OK still here
S: C OK done
C: S STARTTLS
S: S OK go
TLS
C: C CAPABILITY
S: * OK [ALERT] hello
S: * CAPABILITY IMAP4rev1 ID AUTH=PLAIN
S: C OK done
C: L LOGOUT
S: * BYE
S: L OK
expect finding TLS_ESTABLISHED
expect no PROTOCOL_ERROR STARTTLS_NOT_OFFERED STARTTLS_INJECTION
expect status ok
expect capa plain IMAP4rev1 STARTTLS ID
expect capa tls IMAP4rev1 ID AUTH=PLAIN

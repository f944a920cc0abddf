# CVE-2011-0411 in IMAP: "S STARTTLS" and "N NOOP" in one segment; the tagged "N OK" over TLS
# answers a command sent in plaintext.
protocol imap
mode starttls
starttls-tests
S: * OK ready
C: C CAPABILITY
S: * CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED
S: C OK done
C: S STARTTLS
C: N NOOP
S: S OK go
TLS
S: N OK NOOP completed
C: L LOGOUT
S: * BYE
S: L OK
expect finding STARTTLS_COMMAND_INJECTION
expect message STARTTLS_COMMAND_INJECTION "N OK NOOP completed"
expect status crit

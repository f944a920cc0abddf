# RFC 9051 6.2.3: a server that allows no LOGIN before TLS must say LOGINDISABLED. Without it
# (and with AUTH=PLAIN), a client that logs in before STARTTLS sends its password in the
# clear: PLAINTEXT_AUTH_OFFERED, naming both; the check itself goes on to TLS.
protocol imap
mode starttls
S: * OK ready
C: C CAPABILITY
S: * CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN AUTH=SCRAM-SHA-256
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
expect finding PLAINTEXT_AUTH_OFFERED TLS_ESTABLISHED
expect message PLAINTEXT_AUTH_OFFERED LOGIN (no LOGINDISABLED) AUTH=PLAIN:
expect status crit

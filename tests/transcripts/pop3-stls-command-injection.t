# CVE-2011-0411 in POP3: "STLS" and "NOOP" in one segment; "+OK" over TLS before anything was
# asked there.
protocol pop3
mode starttls
starttls-tests
S: +OK ready
C: CAPA
S: +OK
S: STLS
S: .
C: STLS
C: NOOP
S: +OK go
TLS
S: +OK
C: QUIT
S: +OK bye
expect finding STARTTLS_COMMAND_INJECTION
expect status crit

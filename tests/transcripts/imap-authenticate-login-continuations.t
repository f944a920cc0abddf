# IMAP AUTHENTICATE LOGIN (no SASL-IR): every step a "+ " continuation (RFC 9051 6.2.2),
# the user name and then the password answered in base64; a tagged NO is a failure with
# the server's words.
protocol imap
mode implicit
auth LOGIN
TLS
S: * OK ready
C: C CAPABILITY
S: * CAPABILITY IMAP4rev1 AUTH=LOGIN
S: C OK done
C: A AUTHENTICATE LOGIN
S: + VXNlcm5hbWU6
C: YWxpY2U=
S: + UGFzc3dvcmQ6
C: bGFiLXNlY3JldC0x
S: A NO [AUTHENTICATIONFAILED] Authentication failed.
C: L LOGOUT
S: * BYE
S: L OK
expect finding AUTH_FAILED
expect message AUTH_FAILED NO [AUTHENTICATIONFAILED] Authentication failed.
expect status crit

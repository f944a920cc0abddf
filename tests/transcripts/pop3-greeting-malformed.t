# RFC 1939 3 and 4: a greeting that starts with neither "+OK" nor "-ERR" (here an SMTP server
# on the POP3 port) is no POP3 greeting: PROTOCOL_ERROR, nothing sent.
protocol pop3
mode starttls
S: 220 mx.example.test ESMTP
expect finding PROTOCOL_ERROR
expect no TLS_ESTABLISHED BANNER_REJECTED
expect status crit

# RFC 9051 13 (greeting = "*" SP (resp-cond-auth / resp-cond-bye) CRLF): a tagged line as the
# greeting is no IMAP greeting at all: PROTOCOL_ERROR, nothing sent.
protocol imap
mode starttls
S: A1 OK ready
expect finding PROTOCOL_ERROR
expect no TLS_ESTABLISHED BANNER_REJECTED
expect status crit

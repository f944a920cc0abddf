# RFC 5321 4.2 (textstring = 1*(%d09 / %d32-126)): a NUL is never valid reply text. A 554
# greeting with a NUL inside is still a 554 (RFC 5321 4.2.1: the code decides), and the text
# is kept whole past the NUL, censored ("?") in the message rather than cut or passed raw.
protocol smtp
mode starttls
S~ 554 no\x00service here\r\n
C: QUIT
S: 221 Bye
expect finding BANNER_REJECTED
expect message BANNER_REJECTED 554 no?service here
expect no PROTOCOL_ERROR TLS_ESTABLISHED
expect status crit

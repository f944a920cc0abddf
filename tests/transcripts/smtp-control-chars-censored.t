# RFC 5321 4.2 (textstring is HT and printable US-ASCII only): escape, bell, DEL, a bare CR
# inside the text and an 8-bit byte reach the reader; none may reach a message raw (a
# terminal escape in a report), each is censored as "?". The 554 decides the verdict.
protocol smtp
mode starttls
S~ 554 a\x1b[31mb\x07c\x7fd\re\xffz\r\n
C: QUIT
S: 221 Bye
expect finding BANNER_REJECTED
expect message BANNER_REJECTED 554 a?[31mb?c?d?e?z
expect no PROTOCOL_ERROR TLS_ESTABLISHED
expect status crit

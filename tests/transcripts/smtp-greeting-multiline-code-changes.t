# RFC 5321 4.2.1: every line of one multiline reply carries the same code. A greeting that
# starts "220-" and ends "554 " is neither a welcome nor a refusal: PROTOCOL_ERROR, and the
# session ends at once, with no EHLO and no QUIT.
protocol smtp
mode starttls
S: 220-mx.example.test ESMTP
S: 554 go away
expect finding PROTOCOL_ERROR
expect no TLS_ESTABLISHED
expect status crit

# RFC 5321 4.2: a reply line is Reply-code followed by "-", SP or the CRLF. "220mx..." has
# none of them: it is not a reply line at all, so no verdict can be read from it:
# PROTOCOL_ERROR, nothing sent.
protocol smtp
mode starttls
S: 220mx.example.test ESMTP
expect finding PROTOCOL_ERROR
expect no TLS_ESTABLISHED BANNER_REJECTED
expect status crit

# Submission-style STARTTLS (RFC 6409 4.1/4.3, RFC 3207 4 and 4.2): AUTH is offered only over
# TLS; the capabilities recorded before TLS are the plaintext EHLO's, those after are the
# second EHLO's, and the second list no longer carries STARTTLS (RFC 3207 4.2).
protocol smtp
mode starttls
S: 220 submit.example.test ESMTP ready
C: EHLO client.test
S: 250-submit.example.test Hello
S: 250-SIZE 35882577
S: 250-STARTTLS
S: 250-ENHANCEDSTATUSCODES
S: 250 8BITMIME
C: STARTTLS
S: 220 2.0.0 Ready to start TLS
TLS
C: EHLO client.test
S: 250-submit.example.test Hello
S: 250-SIZE 35882577
S: 250-AUTH PLAIN LOGIN
S: 250 8BITMIME
C: QUIT
S: 221 2.0.0 Bye
expect finding TLS_ESTABLISHED
expect no STARTTLS_NOT_OFFERED STARTTLS_REJECTED STARTTLS_INJECTION PROTOCOL_ERROR TIMEOUT BANNER_REJECTED
expect status ok
expect stale 0
expect banner 220 submit.example.test ESMTP ready
expect capa plain SIZE STARTTLS ENHANCEDSTATUSCODES 8BITMIME
expect capa tls SIZE AUTH 8BITMIME

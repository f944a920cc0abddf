# RFC 3207 4 (and 2: the EHLO keyword is STARTTLS): the EHLO reply lists no STARTTLS, so
# the client must not send it. STARTTLS_NOT_OFFERED, then QUIT; the plaintext capabilities
# are still recorded.
protocol smtp
mode starttls
S: 220 mx.example.test ESMTP
C: EHLO client.test
S: 250-mx.example.test
S: 250-PIPELINING
S: 250-SIZE 10240000
S: 250 8BITMIME
C: QUIT
S: 221 Bye
expect finding STARTTLS_NOT_OFFERED
expect no TLS_ESTABLISHED STARTTLS_REJECTED PROTOCOL_ERROR
expect status crit
expect capa plain PIPELINING SIZE 8BITMIME

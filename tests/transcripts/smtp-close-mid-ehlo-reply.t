# RFC 5321 4.2: a multiline reply ends only at the line with a space after the code. The
# server closes after "250-" lines (STARTTLS among them) without a final line: the reply
# never completed, so STARTTLS was never offered in a reply: PROTOCOL_ERROR, nothing sent.
protocol smtp
mode starttls
S: 220 mx.example.test ESMTP
C: EHLO client.test
S: 250-mx.example.test
S: 250-STARTTLS
CLOSE
expect finding PROTOCOL_ERROR
expect no TLS_ESTABLISHED STARTTLS_NOT_OFFERED TIMEOUT
expect status crit

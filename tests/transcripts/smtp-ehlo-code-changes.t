# RFC 5321 4.2.1: "In a multiline reply, the reply code on each of the lines MUST be the
# same." An EHLO reply whose continuation lines switch from 250 to 251 cannot be judged:
# PROTOCOL_ERROR, and the session ends at once (the lockstep is lost, QUIT means nothing).
protocol smtp
mode starttls
S: 220 mx.example.test ESMTP
C: EHLO client.test
S: 250-mx.example.test
S: 251-STARTTLS
S: 250 8BITMIME
expect finding PROTOCOL_ERROR
expect no TLS_ESTABLISHED
expect status crit

# RFC 5321 4.2 and 4.3.1 (lockstep) apply over TLS too (RFC 3207 4.2: the session restarts
# inside TLS): a "221" sent with the EHLO reply over TLS, before QUIT, is an unasked reply.
# TLS was established, then PROTOCOL_ERROR naming the line, and no QUIT.
# split no: the case is the segmentation itself; in a separate read the 221 arrives after
# QUIT and is its answer.
protocol smtp
mode starttls
split no
S: 220 mx.example.test ESMTP
C: EHLO client.test
S: 250-mx.example.test
S: 250 STARTTLS
C: STARTTLS
S: 220 Ready
TLS
C: EHLO client.test
S: 250-mx.example.test
S: 250 8BITMIME
S: 221 bye early
expect finding TLS_ESTABLISHED PROTOCOL_ERROR
expect message PROTOCOL_ERROR 221 bye early
expect status crit

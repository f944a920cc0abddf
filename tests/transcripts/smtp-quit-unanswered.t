# RFC 5321 4.1.1.10: after QUIT the client waits for the 221, but the verdict on TLS is
# already made: a server that never answers QUIT ends the session at the reply bound with
# no TIMEOUT finding, and a sound TLS session keeps status ok.
protocol smtp
mode starttls
S: 220 mx.example.test ESMTP
C: EHLO client.test
S: 250-mx.example.test
S: 250 STARTTLS
C: STARTTLS
S: 220 Ready
TLS
C: EHLO client.test
S: 250 mx.example.test
C: QUIT
TIMEOUT
expect finding TLS_ESTABLISHED
expect no TIMEOUT PROTOCOL_ERROR
expect status ok

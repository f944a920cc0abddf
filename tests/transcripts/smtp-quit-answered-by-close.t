# RFC 5321 4.1.1.10 and 3.8: a server that closes at QUIT without its 221 breaks nothing the
# client still needs: the session ends, status ok, no PROTOCOL_ERROR.
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
CLOSE
expect finding TLS_ESTABLISHED
expect no TIMEOUT PROTOCOL_ERROR
expect status ok

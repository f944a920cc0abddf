# RFC 5321 4.2 (Greeting): "220-" Domain ... *( "220-" [ textstring ] CRLF ) "220"
# [ SP textstring ] CRLF. A multi-line 220 greeting is one greeting; EHLO follows its last
# line, not its first, and the session goes on normally.
protocol smtp
mode starttls
S: 220-mx.example.test ESMTP
S: 220-This system is for authorised use only.
S: 220-
S: 220 Unauthorised access will be logged.
C: EHLO client.test
S: 250-mx.example.test
S: 250 STARTTLS
C: STARTTLS
S: 220 Ready
TLS
C: EHLO client.test
S: 250 mx.example.test
C: QUIT
S: 221 Bye
expect finding TLS_ESTABLISHED
expect no BANNER_REJECTED PROTOCOL_ERROR
expect status ok

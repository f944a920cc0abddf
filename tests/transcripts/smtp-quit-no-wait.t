# A bulk run (quit-no-wait, as Postfix's smtp_skip_quit_response): QUIT goes out, and once
# it has left the client closes without waiting a round trip for the 221. The verdict is
# the same as with the wait.
protocol smtp
mode starttls
quit-no-wait
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
SENT
expect finding TLS_ESTABLISHED
expect no TIMEOUT PROTOCOL_ERROR
expect status ok

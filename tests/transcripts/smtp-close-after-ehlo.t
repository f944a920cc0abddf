# RFC 5321 4.2 ("Every command MUST generate exactly one reply") and 3.8 (the server closes
# only after 421 or QUIT): the server closes without answering EHLO: PROTOCOL_ERROR.
protocol smtp
mode starttls
S: 220 mx.example.test ESMTP
C: EHLO client.test
CLOSE
expect finding PROTOCOL_ERROR
expect message PROTOCOL_ERROR closed
expect no TLS_ESTABLISHED STARTTLS_NOT_OFFERED TIMEOUT
expect status crit

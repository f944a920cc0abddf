# RFC 3207 4 and RFC 5321 4.2.1: STARTTLS advertised, then answered 502 (command not
# implemented): the server refused it. STARTTLS_REJECTED, then QUIT.
protocol smtp
mode starttls
S: 220 mx.example.test ESMTP
C: EHLO client.test
S: 250-mx.example.test
S: 250 STARTTLS
C: STARTTLS
S: 502 5.5.1 Command not implemented
C: QUIT
S: 221 Bye
expect finding STARTTLS_REJECTED
expect message STARTTLS_REJECTED 502 5.5.1
expect no TLS_ESTABLISHED STARTTLS_NOT_OFFERED PROTOCOL_ERROR
expect status crit

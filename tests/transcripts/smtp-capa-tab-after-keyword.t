# RFC 5321 4.1.1.1 and 2.4: the keyword ends at the first blank; a tab after "STARTTLS"
# (textstring allows HT, RFC 5321 4.2) ends the keyword as a space would.
protocol smtp
mode starttls
S: 220 mx.example.test ESMTP
C: EHLO client.test
S: 250-mx.example.test
S~ 250-STARTTLS\tREQUIRED\r\n
S: 250 8BITMIME
C: STARTTLS
S: 220 Ready
TLS
C: EHLO client.test
S: 250 mx.example.test
C: QUIT
S: 221 Bye
expect finding TLS_ESTABLISHED
expect no STARTTLS_NOT_OFFERED PROTOCOL_ERROR
expect status ok
expect capa plain STARTTLS 8BITMIME

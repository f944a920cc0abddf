# RFC 5321 4.2: the Greeting grammar wants a domain after "220 ", but "clients that do not
# receive [the text] SHOULD be prepared to process the code alone (with or without a
# trailing space character)". A bare "220" greets; the session goes on.
protocol smtp
mode starttls
S: 220
C: EHLO client.test
S: 250-mx.example.test
S: 250 STARTTLS
C: STARTTLS
S: 220
TLS
C: EHLO client.test
S: 250 mx.example.test
C: QUIT
S: 221
expect finding TLS_ESTABLISHED
expect no BANNER_REJECTED PROTOCOL_ERROR STARTTLS_REJECTED
expect status ok

# RFC 5321 3.1 and 4.3.2: a 554 greeting says the server will not serve this client; it
# "MAY wait for the client to send a QUIT command before closing", so the client quits and
# the 221 ends the session. BANNER_REJECTED, no EHLO ever sent.
protocol smtp
mode starttls
S: 554 5.7.1 mx.example.test no SMTP service here
C: QUIT
S: 221 2.0.0 Bye
expect finding BANNER_REJECTED
expect no TLS_ESTABLISHED PROTOCOL_ERROR STARTTLS_NOT_OFFERED
expect message BANNER_REJECTED 554 5.7.1 mx.example.test no SMTP service here
expect status crit
expect banner 554 5.7.1 mx.example.test no SMTP service here

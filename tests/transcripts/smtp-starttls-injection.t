# RFC 3207 4.2 ("The client MUST discard any knowledge obtained from the server ... which
# was not obtained from the TLS negotiation itself") and CVE-2011-0411: plaintext sent after
# "220 Ready" in the same burst is discarded at the handshake, STARTTLS_INJECTION counts it
# (39 bytes: "250-evil.example.test" CRLF "250 AUTH PLAIN" CRLF), and it is never read as the
# EHLO reply over TLS: the capabilities over TLS are those sent after TLS.
# split no: the case is the segmentation itself. Split, the tail would arrive after the
# client began the handshake, where a real transport feeds it to TLS (a failed handshake),
# not to the plaintext reader.
protocol smtp
mode starttls
split no
S: 220 mx.example.test ESMTP
C: EHLO client.test
S: 250-mx.example.test
S: 250 STARTTLS
C: STARTTLS
S: 220 2.0.0 Ready to start TLS
S: 250-evil.example.test
S: 250 AUTH PLAIN
TLS
C: EHLO client.test
S: 250-mx.example.test
S: 250 8BITMIME
C: QUIT
S: 221 Bye
expect finding STARTTLS_INJECTION TLS_ESTABLISHED
expect no PROTOCOL_ERROR STARTTLS_REJECTED
expect stale 39
expect status crit
expect capa tls 8BITMIME

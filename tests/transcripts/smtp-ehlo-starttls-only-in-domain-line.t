# RFC 5321 4.1.1.1: ehlo-ok-rsp's first line is Domain [ SP ehlo-greet ]; keywords only
# follow on the next lines. "250 STARTTLS" alone, or "STARTTLS" in the greeting text, is
# a domain and free text, not the extension: STARTTLS_NOT_OFFERED, then QUIT.
protocol smtp
mode starttls
S: 220 mx.example.test ESMTP
C: EHLO client.test
S: 250 STARTTLS
C: QUIT
S: 221 Bye
expect finding STARTTLS_NOT_OFFERED
expect no TLS_ESTABLISHED STARTTLS_REJECTED PROTOCOL_ERROR
expect status crit

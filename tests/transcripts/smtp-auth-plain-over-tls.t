# mailtls auth over SMTP (RFC 4954): after TLS, the strongest mechanism offered there; with
# PLAIN only, the initial response in the AUTH line, base64 of "\0alice\0lab-secret-1";
# 235 is success. Nothing of the credential went out before the handshake.
protocol smtp
mode starttls
auth any
S: 220 submit.example.test ESMTP
C: EHLO client.test
S: 250-submit.example.test
S: 250 STARTTLS
C: STARTTLS
S: 220 go
TLS
C: EHLO client.test
S: 250-submit.example.test
S: 250 AUTH PLAIN
C: AUTH PLAIN AGFsaWNlAGxhYi1zZWNyZXQtMQ==
S: 235 2.7.0 Authentication successful
C: QUIT
S: 221 bye
expect finding AUTH_SUCCEEDED
expect message AUTH_SUCCEEDED logged in with PLAIN
expect no AUTH_FAILED AUTH_NOT_ATTEMPTED
expect status ok

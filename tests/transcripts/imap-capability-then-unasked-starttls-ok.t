# RFC 9051 2.2.2 and 6.2.1: "S OK Begin TLS" arriving with the CAPABILITY result, before the
# client has sent S STARTTLS, is a tagged result for a command not yet issued; taken as the
# STARTTLS answer it would start the handshake on a reply sent before the command (the
# pre-emptive mirror of STARTTLS injection). PROTOCOL_ERROR, nothing more sent.
# split no: the case is the segmentation itself; in a separate read the line arrives after
# S STARTTLS and is a correct answer.
protocol imap
mode starttls
split no
S: * OK imap.example.test ready
C: C CAPABILITY
S: * CAPABILITY IMAP4rev1 STARTTLS
S: C OK done
S: S OK Begin TLS negotiation now
expect finding PROTOCOL_ERROR
expect message PROTOCOL_ERROR S OK Begin TLS
expect no TLS_ESTABLISHED
expect status crit

# RFC 1939 3 (lockstep) and RFC 2595 4: "+OK Begin TLS" arriving right behind the CAPA list's
# "." line, in the same burst, before the client sent STLS, would be taken for the STLS
# answer (a pre-emptive reply). PROTOCOL_ERROR naming the line, nothing more sent.
# split no: the case is the segmentation itself; in a separate read the line arrives after
# STLS and is a correct answer.
protocol pop3
mode starttls
split no
S: +OK ready
C: CAPA
S: +OK
S: STLS
S: .
S: +OK Begin TLS
expect finding PROTOCOL_ERROR
expect message PROTOCOL_ERROR +OK Begin TLS
expect no TLS_ESTABLISHED
expect status crit

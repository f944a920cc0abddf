# RFC 1939 3 (one response per command, in lockstep): a second "+OK" right behind the
# greeting, in the same burst, would be read as the answer to CAPA. PROTOCOL_ERROR naming the
# line, nothing sent.
# split no: the case is the segmentation itself; in a separate read the line arrives after
# CAPA was sent and is indistinguishable from its answer.
protocol pop3
mode starttls
split no
S: +OK ready
S: +OK bogus
expect finding PROTOCOL_ERROR
expect message PROTOCOL_ERROR +OK bogus
expect no TLS_ESTABLISHED
expect status crit

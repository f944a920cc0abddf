# RFC 5321 4.2 ("Every command MUST generate exactly one reply") and 4.3.1 (lockstep
# command/reply): "250 bogus" arriving right after the "220 hi" greeting, in the same burst,
# before the client has said anything, would be taken as the answer to EHLO. A careful
# client stops: PROTOCOL_ERROR naming the line, no EHLO, no QUIT.
# split no: the case is the segmentation itself. If the two lines come in separate reads,
# the second one arrives after EHLO was sent and is indistinguishable from a reply to it.
protocol smtp
mode starttls
split no
S: 220 hi
S: 250 bogus
expect finding PROTOCOL_ERROR
expect message PROTOCOL_ERROR 250 bogus
expect no TLS_ESTABLISHED
expect status crit

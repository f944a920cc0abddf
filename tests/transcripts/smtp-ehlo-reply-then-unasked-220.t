# RFC 5321 4.2 and RFC 3207 4: a "220 Ready" sent with the EHLO reply, before the client has
# sent STARTTLS, would be read as the answer to STARTTLS (a pre-emptive reply, the
# mirror image of STARTTLS injection). Lockstep is broken: PROTOCOL_ERROR, nothing more sent.
# split no: the case is the segmentation itself (one burst holding the EHLO reply and the
# unasked line); split, the 220 arrives after STARTTLS and is a correct reply.
protocol smtp
mode starttls
split no
S: 220 mx.example.test ESMTP
C: EHLO client.test
S: 250-mx.example.test
S: 250 STARTTLS
S: 220 Ready to start TLS
expect finding PROTOCOL_ERROR
expect message PROTOCOL_ERROR 220 Ready to start TLS
expect no TLS_ESTABLISHED
expect status crit

# RFC 9051 2.2.2: a tagged line is the completion result "tagged with the same tag as the
# client command which began the operation". Untagged data may come at any time (so it is
# no error behind the greeting), but "C OK" in the greeting's burst answers a command the
# client has not sent yet: it would be taken for the CAPABILITY result. A careful client
# stops, as it does for SMTP's "220 hi" + "250 bogus": PROTOCOL_ERROR naming the line,
# nothing sent.
# split no: the case is the segmentation itself; in a separate read "C OK" arrives after
# C CAPABILITY and is a correct result.
protocol imap
mode starttls
split no
S: * OK imap.example.test ready
S: C OK CAPABILITY completed
expect finding PROTOCOL_ERROR
expect message PROTOCOL_ERROR C OK CAPABILITY completed
expect no TLS_ESTABLISHED STARTTLS_NOT_OFFERED
expect status crit

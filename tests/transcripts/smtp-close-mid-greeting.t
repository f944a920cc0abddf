# RFC 5321 4.2 and 3.8: half a greeting line (no CRLF) and then a close: no reply was ever
# complete, so nothing may be judged from its text: PROTOCOL_ERROR (early close), not a
# banner verdict, and no command sent.
protocol smtp
mode starttls
S~ 220 mx.example.te
CLOSE
expect finding PROTOCOL_ERROR
expect no TLS_ESTABLISHED BANNER_REJECTED TIMEOUT
expect status crit

# RFC 5321 4.5.3.2 and 4.2: a greeting that trickles in without its CRLF never completes;
# when the bound of the greeting phase runs out the verdict is TIMEOUT, not a banner.
protocol smtp
mode starttls
S~ 220 mx.example.test ESM
TIMEOUT
expect finding TIMEOUT
expect no TLS_ESTABLISHED PROTOCOL_ERROR BANNER_REJECTED
expect status crit

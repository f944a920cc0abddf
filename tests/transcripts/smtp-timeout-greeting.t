# RFC 5321 4.5.3.2.1 (initial 220 message timeout): the server never greets within the bound
# of the greeting phase: TIMEOUT, the session ends with nothing sent.
protocol smtp
mode starttls
TIMEOUT
expect finding TIMEOUT
expect no TLS_ESTABLISHED PROTOCOL_ERROR BANNER_REJECTED
expect status crit

# RFC 5321 3.1 and 3.8: a server that accepts the connection must greet (220 or 554) and
# may only close after 421 or QUIT. Closing before any greeting is an early close:
# PROTOCOL_ERROR; there is no one left to say QUIT to.
protocol smtp
mode starttls
CLOSE
expect finding PROTOCOL_ERROR
expect message PROTOCOL_ERROR closed
expect no TLS_ESTABLISHED BANNER_REJECTED TIMEOUT
expect status crit

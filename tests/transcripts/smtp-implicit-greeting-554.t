# RFC 8314 3.3 and RFC 5321 3.1/4.3.2: on 465 TLS comes up, then the greeting inside it is a
# 554 refusal: both facts are recorded (TLS_ESTABLISHED and BANNER_REJECTED, status crit);
# the client quits as RFC 5321 3.1 expects and the 221 ends it.
protocol smtp
mode implicit
TLS
S: 554 5.7.1 no service for you
C: QUIT
S: 221 Bye
expect finding TLS_ESTABLISHED BANNER_REJECTED
expect no PROTOCOL_ERROR STARTTLS_NOT_OFFERED
expect status crit

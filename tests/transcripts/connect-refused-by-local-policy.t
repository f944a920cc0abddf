# A connect refused at once by something else (a local firewall's EACCES): the connection
# could not be made, and that is said as it is.
connect-fails EACCES
expect finding CONNECT_FAILED
expect message CONNECT_FAILED Permission denied
expect status crit

/* cmd-timeline.c - stub */
#include "session.h"
int insp_cmd_timeline(struct insp_session *s) { (void)s; return 1; }

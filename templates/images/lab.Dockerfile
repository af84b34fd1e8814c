# A lab's own image on a swarm: the role's image plus the files `msmlab up` uploads into a
# container on a single engine (context.xml and the jars, nginx.conf). Every node pulls the
# same bytes from the registry; nothing reaches a task through a bind mount.
FROM {{ base }}
# The lab label makes the image this lab's: `down` removes its tags, and its digest is no
# other lab's, so deleting it from the registry takes nothing away from another lab.
LABEL io.msmlab.image=lab io.msmlab.lab={{ lab }} io.msmlab.role={{ role }}
{%- if copy %}
COPY --chown={{ uid }}:{{ uid }} files/ {{ dest }}/
{%- endif %}

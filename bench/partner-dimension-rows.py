#!/usr/bin/env python3
# Rows a day of the dimension rollup's partner grain (V72, click_daily_partner_dimension) and of a
# link grain, at the stats benchmark's shape (docs/decisions/0023-stats-dimensions.md, "A partner
# grain"): one day of 10,000,000 / 338 clicks, partners picked by StatsBenchmark's Zipf (1/(i+1)
# over 1,000), one to three links each (1 + i % 3), values by ClickTraits' distributions, each
# (partner or link, dimension) keeping GroupBy's partner cap of named values plus 'o' and 'u'.
# Not a test; prints one line of figures and the rows of four partners. ~20 s.
import random, bisect, collections
random.seed(1)
def zipf(n,e):
    c=[];s=0
    for i in range(n):
        s+=1/(i+1)**e; c.append(s)
    return [x/s for x in c]
def pick(c): return min(bisect.bisect_left(c, random.random()), len(c)-1)
P=zipf(1000,1.0); C=zipf(60,1.2); R=zipf(2000,1.0); S=zipf(50,1.0); K=zipf(5000,0.9)
CLICKS=int(10_000_000/338)
caps={'country':10,'device':20,'browser':10,'os':10,'referrer':10,'utm_source':10,'utm_campaign':10}
bylink=collections.defaultdict(lambda: collections.defaultdict(collections.Counter))
byp=collections.defaultdict(lambda: collections.defaultdict(collections.Counter))
for _ in range(CLICKS):
    p=pick(P); l=random.randrange(1+p%3)
    bot=random.random()<0.05
    country=None if random.random()<0.03 else pick(C)
    d=random.randrange(100); dev='bot' if bot else ('desktop' if d<55 else 'phone' if d<93 else 'tablet' if d<98 else 'other')
    b=random.randrange(100); br=0 if b<63 else 1 if b<83 else 2 if b<88 else 3 if b<92 else 4 if b<96 else 5 if b<98 else 6
    o=random.randrange(100); os_=(dev, o<60) if dev in('phone','tablet') else (dev, 0 if o<70 else 1 if o<92 else 2 if o<97 else 3)
    ref=None if random.randrange(100)<35 else pick(R)
    src=pick(S) if random.randrange(2)==0 else None
    camp=pick(K) if random.randrange(100)<40 else None
    for dim,v in (('country',country),('device',dev),('browser',br),('os',os_),('referrer',ref),('utm_source',src),('utm_campaign',camp)):
        byp[p][dim][v]+=1; bylink[(p,l)][dim][v]+=1
def rows(g):
    tot=0
    for key,dims in g.items():
        for dim,cnt in dims.items():
            named=[v for v in cnt if v is not None]
            tot+=min(len(named),caps[dim]) + (1 if len(named)>caps[dim] else 0) + (1 if None in cnt else 0)
    return tot
pr=rows(byp); lr=rows(bylink)
print("clicks/day",CLICKS,"partners with clicks",len(byp),"partner rows/day",pr, "rows/partner-day %.1f"%(pr/len(byp)), "links with clicks", len(bylink), "link rows/day", lr)
# uncapped
def rowsu(g): return sum(len(c) for dims in g.values() for c in dims.values())
print("uncapped partner rows", rowsu(byp))
# top partners
for p in (0,9,99,999):
    print(p, sum(byp[p]['device'].values()), sum(min(len([v for v in c if v is not None]),caps[d])+(len([v for v in c if v is not None])>caps[d])+(None in c) for d,c in byp[p].items()))

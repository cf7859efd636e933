console.log("skiff: under construction");
